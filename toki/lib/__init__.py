"""Pure helpers with no models: environment parsing, tasks, Japanese dates, geometry, htmx."""
