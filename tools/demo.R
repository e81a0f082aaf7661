# The package's main job: reproduce the Cochrane review of Internet-delivered
# psychological therapies for chronic pain (Eccleston et al. 2014, CD010152),
# compare every published number with metapool's and metafor's, and write the
# review's forest plots (PDF and PNG) to review-figures/.
library(metapool)
print(reproduce_review(dir = "review-figures"))
