"""Shared logic for the Mali human-rights briefing: cleaning, analysis, charts and rendering."""
