"""Campaigns (SPEC §3 "campaign"): marketing states a campaign's goal, sales asks why and says what it hears."""
