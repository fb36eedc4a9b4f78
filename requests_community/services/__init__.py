"""Writes for community pose requests: submissions, votes, moderation, notifications, library poses."""
