"""Resident ID numbers whose check character is known without our code (GB 11643-1999 §8.2).

Each was checked by hand: the first 17 digits weighted 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, the sum taken mod 11,
and the remainder 0 1 2 3 4 5 6 7 8 9 10 read as the check character 1 0 X 9 8 7 6 5 4 3 2. The sums are written
beside them so a reader can check again. Never put here a number the code under test computed.
"""

# The standard's own example: Beijing, Chaoyang district, born 1949-12-31, order code 002. Sum 167 → 2 → X.
STANDARD_EXAMPLE = "11010519491231002X"
# The same number with a wrong check digit; the old computation (subjects/personal_data.py) accepted it and
# refused the real one.
STANDARD_EXAMPLE_WRONG = "110105194912310022"
# The standard's second example (born 1880, so outside the range a civil servant's birth date may have):
# its first 17 digits sum to 195 → 8 → 4.
STANDARD_SECOND_EXAMPLE = "440524188001010014"

VALID = [
    STANDARD_EXAMPLE,
    "110105194912310011",  # order code 001: sum 165 → 0 → 1
    "110101199003074514",  # sum 206 → 8 → 4
    "33010219850312148X",  # 张伟, the persona of tests/conftest.py: sum 222 → 2 → X
    "330102198503121308",  # sum 202 → 4 → 8
]

# Right shape and a real birth date, wrong check character. The old check-character defect accepted the first
# three.
WRONG_CHECK = [
    STANDARD_EXAMPLE_WRONG,
    "33010219850312130X",  # the old persona number: sum 202 → 8, not X
    "110105194912310012",  # sum 165 → 1, not 2
    "330102198503121301",  # sum 202 → 8, not 1
]
