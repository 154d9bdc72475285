"""Every change to alerts goes through these actions (DESIGN.md rule 2). Split by topic:

- `telegrams`: storing fetched JMA telegrams once, feed state, quarantine (the poller);
- `state`: applying a stored telegram to the Alerts and the warnings in force;
- `orders`: the city's evacuation orders and their lifting;
- `cap`: importing CAP 1.2 alerts from other agencies.
"""
