FROM alpine
ENV A="b\\" C=d
ENV E=f\\ G=h
ENV I='j\' K=l
