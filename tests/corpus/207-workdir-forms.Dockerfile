FROM alpine
WORKDIR /app
WORKDIR $HOME/app
WORKDIR relative/dir
WORKDIR "/path with spaces"
WORKDIR /a \
  /b
