FROM alpine
HEALTHCHECK CMD	["a"]
HEALTHCHECK NONE extra words
HEALTHCHECK   --interval=5s   CMD   curl  -f  localhost
