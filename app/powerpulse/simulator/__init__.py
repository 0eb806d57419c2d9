"""`powerpulse simulate`: a NUT server (real protocol) serving UPS that go through outages."""
