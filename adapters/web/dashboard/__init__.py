"""The managers' dashboard (`GET /dashboard`, signed in from `stats dashboard`): the stats figures as cards, charts,
drill-downs and CSV, rendered on the server."""
