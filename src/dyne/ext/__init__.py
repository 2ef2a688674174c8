"""Extensions to Dyne: each imports the core and its own library, never a sibling."""
