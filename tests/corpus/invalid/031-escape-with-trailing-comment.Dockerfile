# escape=` # use backticks
FROM alpine
