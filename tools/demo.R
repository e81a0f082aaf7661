# The package's main job: reproduce the Cochrane review of Internet-delivered
# psychological therapies for chronic pain (Eccleston et al. 2014, CD010152)
# and compare every published number with metapool's and metafor's.
library(metapool)
print(reproduce_review())
