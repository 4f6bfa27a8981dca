FROM python:3.12-slim
RUN <<PYEOF python3
import sys
print(sys.version)
PYEOF
