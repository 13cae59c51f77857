"""Code every Gongkai process imports: settings, database, auth, errors, events, logging."""
