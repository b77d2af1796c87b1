"""The Faust application: a thin shell of named, unit-testable parts around the core."""
