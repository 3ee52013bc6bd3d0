from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.local_time_option import LocalTimeOption
from ..models.look_direction import LookDirection
from ..models.orbit_state import OrbitState
from ..models.polarization import Polarization
from ..models.squint_mode import SquintMode
from ..types import UNSET, Unset

T = TypeVar("T", bound="CollectConstraints")


@_attrs_define
class CollectConstraints:
    """Collection constraints. Requests send only the keys they set; responses also carry
    server-filled defaults and legacy keys (kept as additional properties).

        Attributes:
            off_nadir_min (float | Unset):
            off_nadir_max (float | Unset):
            image_width (float | Unset):
            image_length (float | Unset):
            orbital_planes (list[int] | Unset):
            asc_dsc (OrbitState | str | Unset):
            look_direction (LookDirection | str | Unset):
            local_time (list[list[int]] | LocalTimeOption | str | Unset): `[[startSeconds, endSeconds], ...]` or one of day,
                night, anytime.
            polarization (Polarization | str | Unset):
            azimuth_angle_min (float | Unset):
            azimuth_angle_max (float | Unset):
            grazing_angle_min (float | Unset):
            grazing_angle_max (float | Unset):
            squint (float | SquintMode | str | Unset): Squint mode (old responses carried a number here).
            max_squint_angle (float | Unset):
    """

    off_nadir_min: float | Unset = UNSET
    off_nadir_max: float | Unset = UNSET
    image_width: float | Unset = UNSET
    image_length: float | Unset = UNSET
    orbital_planes: list[int] | Unset = UNSET
    asc_dsc: OrbitState | str | Unset = UNSET
    look_direction: LookDirection | str | Unset = UNSET
    local_time: list[list[int]] | LocalTimeOption | str | Unset = UNSET
    polarization: Polarization | str | Unset = UNSET
    azimuth_angle_min: float | Unset = UNSET
    azimuth_angle_max: float | Unset = UNSET
    grazing_angle_min: float | Unset = UNSET
    grazing_angle_max: float | Unset = UNSET
    squint: float | SquintMode | str | Unset = UNSET
    max_squint_angle: float | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        off_nadir_min = self.off_nadir_min

        off_nadir_max = self.off_nadir_max

        image_width = self.image_width

        image_length = self.image_length

        orbital_planes: list[int] | Unset = UNSET
        if not isinstance(self.orbital_planes, Unset):
            orbital_planes = self.orbital_planes

        asc_dsc: str | Unset
        if isinstance(self.asc_dsc, Unset):
            asc_dsc = UNSET
        elif isinstance(self.asc_dsc, OrbitState):
            asc_dsc = self.asc_dsc.value
        else:
            asc_dsc = self.asc_dsc

        look_direction: str | Unset
        if isinstance(self.look_direction, Unset):
            look_direction = UNSET
        elif isinstance(self.look_direction, LookDirection):
            look_direction = self.look_direction.value
        else:
            look_direction = self.look_direction

        local_time: list[list[int]] | str | Unset
        if isinstance(self.local_time, Unset):
            local_time = UNSET
        elif isinstance(self.local_time, list):
            local_time = []
            for local_time_type_0_item_data in self.local_time:
                local_time_type_0_item = local_time_type_0_item_data

                local_time.append(local_time_type_0_item)

        elif isinstance(self.local_time, LocalTimeOption):
            local_time = self.local_time.value
        else:
            local_time = self.local_time

        polarization: str | Unset
        if isinstance(self.polarization, Unset):
            polarization = UNSET
        elif isinstance(self.polarization, Polarization):
            polarization = self.polarization.value
        else:
            polarization = self.polarization

        azimuth_angle_min = self.azimuth_angle_min

        azimuth_angle_max = self.azimuth_angle_max

        grazing_angle_min = self.grazing_angle_min

        grazing_angle_max = self.grazing_angle_max

        squint: float | str | Unset
        if isinstance(self.squint, Unset):
            squint = UNSET
        elif isinstance(self.squint, SquintMode):
            squint = self.squint.value
        else:
            squint = self.squint

        max_squint_angle = self.max_squint_angle

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if off_nadir_min is not UNSET:
            field_dict["offNadirMin"] = off_nadir_min
        if off_nadir_max is not UNSET:
            field_dict["offNadirMax"] = off_nadir_max
        if image_width is not UNSET:
            field_dict["imageWidth"] = image_width
        if image_length is not UNSET:
            field_dict["imageLength"] = image_length
        if orbital_planes is not UNSET:
            field_dict["orbitalPlanes"] = orbital_planes
        if asc_dsc is not UNSET:
            field_dict["ascDsc"] = asc_dsc
        if look_direction is not UNSET:
            field_dict["lookDirection"] = look_direction
        if local_time is not UNSET:
            field_dict["localTime"] = local_time
        if polarization is not UNSET:
            field_dict["polarization"] = polarization
        if azimuth_angle_min is not UNSET:
            field_dict["azimuthAngleMin"] = azimuth_angle_min
        if azimuth_angle_max is not UNSET:
            field_dict["azimuthAngleMax"] = azimuth_angle_max
        if grazing_angle_min is not UNSET:
            field_dict["grazingAngleMin"] = grazing_angle_min
        if grazing_angle_max is not UNSET:
            field_dict["grazingAngleMax"] = grazing_angle_max
        if squint is not UNSET:
            field_dict["squint"] = squint
        if max_squint_angle is not UNSET:
            field_dict["maxSquintAngle"] = max_squint_angle

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        off_nadir_min = d.pop("offNadirMin", UNSET)

        off_nadir_max = d.pop("offNadirMax", UNSET)

        image_width = d.pop("imageWidth", UNSET)

        image_length = d.pop("imageLength", UNSET)

        orbital_planes = cast(list[int], d.pop("orbitalPlanes", UNSET))

        def _parse_asc_dsc(data: object) -> OrbitState | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                asc_dsc_type_0 = OrbitState(data)

                return asc_dsc_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(OrbitState | str | Unset, data)

        asc_dsc = _parse_asc_dsc(d.pop("ascDsc", UNSET))

        def _parse_look_direction(data: object) -> LookDirection | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                look_direction_type_0 = LookDirection(data)

                return look_direction_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LookDirection | str | Unset, data)

        look_direction = _parse_look_direction(d.pop("lookDirection", UNSET))

        def _parse_local_time(data: object) -> list[list[int]] | LocalTimeOption | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                local_time_type_0 = []
                _local_time_type_0 = data
                for local_time_type_0_item_data in _local_time_type_0:
                    local_time_type_0_item = cast(list[int], local_time_type_0_item_data)

                    local_time_type_0.append(local_time_type_0_item)

                return local_time_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, str):
                    raise TypeError()
                local_time_type_1 = LocalTimeOption(data)

                return local_time_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[list[int]] | LocalTimeOption | str | Unset, data)

        local_time = _parse_local_time(d.pop("localTime", UNSET))

        def _parse_polarization(data: object) -> Polarization | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                polarization_type_0 = Polarization(data)

                return polarization_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Polarization | str | Unset, data)

        polarization = _parse_polarization(d.pop("polarization", UNSET))

        azimuth_angle_min = d.pop("azimuthAngleMin", UNSET)

        azimuth_angle_max = d.pop("azimuthAngleMax", UNSET)

        grazing_angle_min = d.pop("grazingAngleMin", UNSET)

        grazing_angle_max = d.pop("grazingAngleMax", UNSET)

        def _parse_squint(data: object) -> float | SquintMode | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                squint_type_0 = SquintMode(data)

                return squint_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(float | SquintMode | str | Unset, data)

        squint = _parse_squint(d.pop("squint", UNSET))

        max_squint_angle = d.pop("maxSquintAngle", UNSET)

        collect_constraints = cls(
            off_nadir_min=off_nadir_min,
            off_nadir_max=off_nadir_max,
            image_width=image_width,
            image_length=image_length,
            orbital_planes=orbital_planes,
            asc_dsc=asc_dsc,
            look_direction=look_direction,
            local_time=local_time,
            polarization=polarization,
            azimuth_angle_min=azimuth_angle_min,
            azimuth_angle_max=azimuth_angle_max,
            grazing_angle_min=grazing_angle_min,
            grazing_angle_max=grazing_angle_max,
            squint=squint,
            max_squint_angle=max_squint_angle,
        )

        collect_constraints.additional_properties = d
        return collect_constraints

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
