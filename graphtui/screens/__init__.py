"""graphtui's screens: the debugger, help (?) and find (/)."""
