"""`privascope dynamic`: one run joining the static scan, the Frida agent, the traffic proxy and a consent scenario."""
