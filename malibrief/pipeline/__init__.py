"""The pipeline: plan the steps from the parameters, skip what the cache says is fresh, run the notebooks with
papermill and render the briefing. It calls each layer through its notebook or its public entry point only."""
