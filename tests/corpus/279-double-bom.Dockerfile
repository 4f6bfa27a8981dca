﻿FROM alpine
RUN echo only one BOM is stripped
