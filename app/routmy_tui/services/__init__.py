"""UI-free services the app is handed at start (the model catalog)."""
