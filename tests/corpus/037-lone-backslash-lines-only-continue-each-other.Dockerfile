FROM alpine
  \  

\
