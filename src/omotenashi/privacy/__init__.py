"""The privacy center: data map, consent, the customer's portal, export, correction and erasure."""
