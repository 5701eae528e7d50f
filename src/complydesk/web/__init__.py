"""Server-rendered web console (Jinja2): login, agent queue, policy, audit status."""
