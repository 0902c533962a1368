"""Staff: accounts with roles and a language, server-side sessions, and what each role may do."""
