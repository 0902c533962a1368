"""The staff workspace's pages: sign-in, sessions, CSRF, permissions and rendering in the staff member's language."""
