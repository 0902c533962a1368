"""HTTP: the tracking API, the JSON API and the pages, over the services."""
