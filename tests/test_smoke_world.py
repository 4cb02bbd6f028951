from tests.conftest import City


def test_it_builds_the_persona_city(world: City) -> None:
    assert world.agency_a.path.startswith(world.district_a.path)
    assert world.person_a.id_number_masked == "3301**********130X"
