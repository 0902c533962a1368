"""Client memory: identities, profiles, preferences, notes, timeline and the briefing."""
