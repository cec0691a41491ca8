"""The web playground (demo only): pick a demo person, type commands, press buttons — the same bot in HTML."""
