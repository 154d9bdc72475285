"""HQ pages, one module per topic: incidents, instructions, chronology, the live board and the KPIs."""
