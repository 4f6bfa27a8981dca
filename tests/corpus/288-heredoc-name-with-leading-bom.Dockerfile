FROM alpine
RUN <<﻿EOF
echo the BOM is dropped from the name
EOF
