"""Webhooks (Standard Webhooks): subscriptions, the outbox fan-out, and the delivery queue."""
