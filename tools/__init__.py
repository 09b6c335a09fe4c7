"""App-level tools: they start `python app.py` and call it (the library never does)."""
