FROM alpine
ENV A="b c" D='e f' G=h\ i J=
ENV K="a \"quoted\" word"
ENV L=$PATH:/x M=${HOME:-/root}
