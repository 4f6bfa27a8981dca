FROM alpine
HEALTHCHECK --interval=5s
HEALTHCHECK CMD["a"]
HEALTHCHECK CMD  ["a"] trailing
