FROM alpine
HEALTHCHECK CMD curl -f localhost
HEALTHCHECK CMD 　curl -f localhost
HEALTHCHECK --interval=5s CMD true
HEALTHCHECK NONE 
