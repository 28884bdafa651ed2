import math


def aliquot_sum(number):
    if number == 1:
        return 0
    total = 1
    for divisor in range(2, math.isqrt(number) + 1):
        if number % divisor == 0:
            partner = number // divisor
            total += divisor if partner == divisor else divisor + partner
    return total


def classify(number):
    if number < 1:
        raise ValueError("only positive integers have an aliquot sum")
    total = aliquot_sum(number)
    if total == number:
        return "perfect"
    if total > number:
        return "abundant"
    return "deficient"
