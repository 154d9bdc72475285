"""The XML namespaces of JMA 防災情報XML (schemas jmx*.xsd, see docs/jma-parser.md)."""

JMX = "http://xml.kishou.go.jp/jmaxml1/"  # Report and Control
JMX_IB = "http://xml.kishou.go.jp/jmaxml1/informationBasis1/"  # Head
JMX_METE = "http://xml.kishou.go.jp/jmaxml1/body/meteorology1/"  # weather, warnings, rivers
JMX_SEIS = "http://xml.kishou.go.jp/jmaxml1/body/seismology1/"  # earthquake, tsunami, EEW
JMX_VOLC = "http://xml.kishou.go.jp/jmaxml1/body/volcanology1/"  # volcano
JMX_EB = "http://xml.kishou.go.jp/jmaxml1/elementBasis1/"  # typed values (magnitude, heights, coordinates)
JMX_ADD = "http://xml.kishou.go.jp/jmaxml1/addition1/"  # optional additions

BODY_NAMESPACES = {JMX_METE: "meteorology", JMX_SEIS: "seismology", JMX_VOLC: "volcanology"}

REPORT_TAG = f"{{{JMX}}}Report"
