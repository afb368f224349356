"""The service layer: what the REST routes, the in-process SDK client and the CLI all call."""
