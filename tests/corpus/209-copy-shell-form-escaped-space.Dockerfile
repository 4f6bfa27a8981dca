FROM alpine
COPY my\ file /x
COPY "quoted file" /y
COPY a  b   c/
