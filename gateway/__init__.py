"""Gateway: the public entry. Users and tokens, role checks, the proxy, the merged contract."""
