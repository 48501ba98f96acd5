//! The fields a column can be imported as, and the header words that name them.

use crate::fields::Text;
use crate::records::{MigrationEpisode, Person};

/// What a column can be imported as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    Nik,
    FullName,
    Sex,
    BirthPlace,
    BirthDate,
    NoKk,
    Dusun,
    Rt,
    Rw,
    Address,
    Phone,
    Country,
    Occupation,
    Employer,
    Agency,
    PlacementDecree,
    Passport,
    DepartureDate,
    ContractEnd,
}

impl Target {
    pub const ALL: [Target; 19] = [
        Target::Nik,
        Target::FullName,
        Target::Sex,
        Target::BirthPlace,
        Target::BirthDate,
        Target::NoKk,
        Target::Dusun,
        Target::Rt,
        Target::Rw,
        Target::Address,
        Target::Phone,
        Target::Country,
        Target::Occupation,
        Target::Employer,
        Target::Agency,
        Target::PlacementDecree,
        Target::Passport,
        Target::DepartureDate,
        Target::ContractEnd,
    ];

    /// The stored key (a remembered mapping names targets so).
    pub fn key(self) -> &'static str {
        match self {
            Target::Nik => "nik",
            Target::FullName => "full_name",
            Target::Sex => "sex",
            Target::BirthPlace => "birth_place",
            Target::BirthDate => "birth_date",
            Target::NoKk => "no_kk",
            Target::Dusun => "dusun",
            Target::Rt => "rt",
            Target::Rw => "rw",
            Target::Address => "address",
            Target::Phone => "phone",
            Target::Country => "destination_country",
            Target::Occupation => "occupation",
            Target::Employer => "employer",
            Target::Agency => "agency",
            Target::PlacementDecree => "placement_decree_number",
            Target::Passport => "passport_number",
            Target::DepartureDate => "departure_date",
            Target::ContractEnd => "contract_end",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.key() == key)
    }

    /// The field's label, as the person and episode forms call it.
    pub fn label(self) -> Text {
        use crate::fields::Described;
        let spec = if self.is_placement() {
            MigrationEpisode::spec(self.key())
        } else {
            Person::spec(self.key())
        };
        spec.map_or(Text::new("?"), |s| s.label)
    }

    /// Whether the field belongs to the stay abroad rather than to the person.
    pub fn is_placement(self) -> bool {
        matches!(
            self,
            Target::Country
                | Target::Occupation
                | Target::Employer
                | Target::Agency
                | Target::PlacementDecree
                | Target::Passport
                | Target::DepartureDate
                | Target::ContractEnd
        )
    }

    pub(super) fn is_date(self) -> bool {
        matches!(
            self,
            Target::BirthDate | Target::DepartureDate | Target::ContractEnd
        )
    }

    /// Header words that name this field, in Indonesian and English, compared after
    /// [`header_key`].
    pub(super) fn names(self) -> &'static [&'static str] {
        match self {
            Target::Nik => &[
                "nik",
                "noktp",
                "nomorktp",
                "nomorindukkependudukan",
                "ktp",
                "idnumber",
            ],
            Target::FullName => &[
                "nama",
                "namalengkap",
                "namapmi",
                "namacpmi",
                "name",
                "fullname",
                "namatki",
            ],
            Target::Sex => &["jeniskelamin", "jk", "lp", "kelamin", "sex", "gender"],
            Target::BirthPlace => &["tempatlahir", "birthplace", "placeofbirth"],
            Target::BirthDate => &[
                "tanggallahir",
                "tgllahir",
                "tgllhr",
                "lahir",
                "birthdate",
                "dateofbirth",
                "dob",
            ],
            Target::NoKk => &["nokk", "kk", "nomorkk", "nomorkartukeluarga", "familycard"],
            Target::Dusun => &["dusun", "hamlet"],
            Target::Rt => &["rt"],
            Target::Rw => &["rw"],
            Target::Address => &["alamat", "alamatlengkap", "address"],
            Target::Phone => &["nohp", "hp", "telepon", "notelp", "nomorhp", "phone", "mobile"],
            Target::Country => &[
                "negara",
                "negaratujuan",
                "negarapenempatan",
                "country",
                "destination",
                "destinationcountry",
            ],
            Target::Occupation => &[
                "jabatan",
                "pekerjaan",
                "jabatanpekerjaan",
                "occupation",
                "job",
                "position",
            ],
            Target::Employer => &["majikan", "pengguna", "namapengguna", "employer", "user"],
            Target::Agency => &[
                "p3mi",
                "pptkis",
                "perusahaan",
                "agency",
                "namap3mi",
                "perusahaanpenempatan",
            ],
            Target::PlacementDecree => &[
                "nomorsk",
                "nosk",
                "idpmi",
                "nomoridpmi",
                "sk",
                "nomorskidpmi",
                "skidpmi",
                "placementid",
            ],
            Target::Passport => &["paspor", "nopaspor", "nomorpaspor", "passport"],
            Target::DepartureDate => &[
                "tanggalberangkat",
                "tglberangkat",
                "berangkat",
                "tanggalkeberangkatan",
                "departure",
                "departuredate",
            ],
            Target::ContractEnd => &[
                "tanggalkontrakberakhir",
                "kontrakberakhir",
                "akhirkontrak",
                "tglakhirkontrak",
                "contractend",
                "endofcontract",
            ],
        }
    }
}
