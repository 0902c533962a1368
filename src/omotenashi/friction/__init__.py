"""Silent friction: one module per detector, a registry, plain-words explanations, the log follower and rescans.

Detectors read events in event time, keep a small window of what they need per customer (`detector_state`), and
turn what they notice into signals (`signals`): one per customer, kind and key, updated as evidence grows, resolved
when the friction ends, and taken back when a late event shows it never happened.
"""
