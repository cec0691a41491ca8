"""`stats` (SPEC §3): how sales and marketing work together, in figures — and the weekly report built on them."""
