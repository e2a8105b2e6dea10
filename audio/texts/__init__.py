"""The prompt texts of every language, one module each (see `audio.prompts.LANGUAGES`).

Each module gives TEXTS (prompt name -> words), VOICE (an `espeak-ng --voices` name)
and SPEED (words per minute). English is the reference: every other language has
exactly its names (tests/test_languages.py checks).
"""
