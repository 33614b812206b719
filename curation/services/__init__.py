"""Services: every change of state, as keyword-only functions named <noun>_<verb>."""
