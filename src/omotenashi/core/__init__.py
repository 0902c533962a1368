"""Pure types shared by every capability. Imports nothing of ours."""
