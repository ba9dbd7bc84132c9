"""The cleaning layer: raw mentions (or an ACLED export) and the reference tables -> data/processed.

It never imports the briefing."""
