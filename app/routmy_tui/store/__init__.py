"""SQLite storage for conversations, messages, exchanges and images."""
