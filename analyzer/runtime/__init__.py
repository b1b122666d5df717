"""Runtime evidence: what an app reads while it runs, seen by the Frida agent (hooks/frida).

  targets.py       Target interface, JvmTarget (JDK 17 host app), parse_jvm_target
  android.py       AndroidTarget (adb + frida-server, proxy, CA, restore)
  session.py       Session: attach, configure the agent, messages -> model runtime evidence
  protocol.py      the agent's message types, one dataclass each, parse_message
  attribution.py   which SDK made a call (nearest non-framework frame)
  agent_config.py  agent config from the catalog + catalog/agent.yaml; bundle freshness
  trace.py         `privascope trace`
"""
