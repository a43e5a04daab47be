package customer

import "github.com/crmkit/crm/internal/enum"

// Kind says whether a customer is a person or an organisation.
type Kind uint8

// Kinds of customer. The stored form is the name; numbers are never persisted.
const (
	Person Kind = iota + 1
	Organization
)

var kinds = enum.New[Kind]("customer kind", "person", "organization")

// ParseKind parses "person" or "organization".
func ParseKind(s string) (Kind, error) { return kinds.Parse(s) }

// String returns the kind's name.
func (k Kind) String() string { return kinds.String(k) }

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return kinds.Valid(k) }

// MarshalText implements encoding.TextMarshaler.
func (k Kind) MarshalText() ([]byte, error) { return kinds.Marshal(k) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (k *Kind) UnmarshalText(b []byte) (err error) { *k, err = kinds.Parse(string(b)); return err }

// Role is a part a customer plays for the business. One customer can hold
// several roles (an owner who is also a merchant).
type Role uint8

// Roles seen in the domain. The stored form is the name.
const (
	EndCustomer Role = iota + 1 // buys for own use
	Dealer                      // distributor or dealer (经销商)
	Partner                     // business partner
	Merchant                    // merchant or tenant of a venue (商户)
	Visitor                     // visitor of a venue (游客)
	Owner                       // property owner (业主)
)

var roles = enum.New[Role]("customer role", "end_customer", "dealer", "partner", "merchant", "visitor", "owner")

// ParseRole parses a role name such as "dealer".
func ParseRole(s string) (Role, error) { return roles.Parse(s) }

// Roles returns every role in order.
func Roles() []Role { return roles.Values() }

// String returns the role's name.
func (r Role) String() string { return roles.String(r) }

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return roles.Valid(r) }

// MarshalText implements encoding.TextMarshaler.
func (r Role) MarshalText() ([]byte, error) { return roles.Marshal(r) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (r *Role) UnmarshalText(b []byte) (err error) { *r, err = roles.Parse(string(b)); return err }

// Channel is a way of being in touch with a customer: where an interaction
// happened, and what marketing consent is given for.
type Channel uint8

// Channels of contact (接触管理). The stored form is the name.
const (
	FaceToFace    Channel = iota + 1 // a meeting or visit
	PhoneCall                        // a telephone call by staff
	CallCentre                       // a call through the call centre
	EmailChannel                     // e-mail
	Fax                              // fax
	Letter                           // post
	Web                              // web site or portal
	MobileMessage                    // SMS or instant message
)

var channels = enum.New[Channel]("channel", "face_to_face", "phone", "call_centre", "email", "fax", "letter", "web", "mobile_message")

// ParseChannel parses a channel name such as "call_centre".
func ParseChannel(s string) (Channel, error) { return channels.Parse(s) }

// Channels returns every channel in order.
func Channels() []Channel { return channels.Values() }

// String returns the channel's name.
func (c Channel) String() string { return channels.String(c) }

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool { return channels.Valid(c) }

// MarshalText implements encoding.TextMarshaler.
func (c Channel) MarshalText() ([]byte, error) { return channels.Marshal(c) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (c *Channel) UnmarshalText(b []byte) (err error) {
	*c, err = channels.Parse(string(b))
	return err
}

// Direction says who started an interaction.
type Direction uint8

// Directions of an interaction.
const (
	Inbound  Direction = iota + 1 // the customer contacted us
	Outbound                      // we contacted the customer
)

var directions = enum.New[Direction]("direction", "inbound", "outbound")

// ParseDirection parses "inbound" or "outbound".
func ParseDirection(s string) (Direction, error) { return directions.Parse(s) }

// String returns the direction's name.
func (d Direction) String() string { return directions.String(d) }

// Valid reports whether d is a known direction.
func (d Direction) Valid() bool { return directions.Valid(d) }

// MarshalText implements encoding.TextMarshaler.
func (d Direction) MarshalText() ([]byte, error) { return directions.Marshal(d) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Direction) UnmarshalText(b []byte) (err error) {
	*d, err = directions.Parse(string(b))
	return err
}

// Class is a customer's classification (客户分类). Actual customers (现实客户)
// are stable or not yet stable; potential customers (潜在客户) are push hard,
// strengthen contact or general contact. The host's [ClassRule]s decide.
type Class uint8

// Classes of customer. Unclassified is the state before any rule matched.
const (
	Unclassified      Class = iota + 1
	Stable                  // actual customer, stable (稳定)
	NotYetStable            // actual customer, not yet stable (待稳定)
	PushHard                // potential customer, push hard (重点推进)
	StrengthenContact       // potential customer, strengthen contact (加强沟通)
	GeneralContact          // potential customer, general contact (一般联系)
)

var classes = enum.New[Class]("customer class", "unclassified", "stable", "not_yet_stable", "push_hard", "strengthen_contact", "general_contact")

// ParseClass parses a class name such as "push_hard".
func ParseClass(s string) (Class, error) { return classes.Parse(s) }

// String returns the class's name.
func (c Class) String() string { return classes.String(c) }

// Valid reports whether c is a known class.
func (c Class) Valid() bool { return classes.Valid(c) }

// Actual reports whether c is a class of actual (buying) customers.
func (c Class) Actual() bool { return c == Stable || c == NotYetStable }

// Potential reports whether c is a class of potential customers.
func (c Class) Potential() bool {
	return c == PushHard || c == StrengthenContact || c == GeneralContact
}

// MarshalText implements encoding.TextMarshaler.
func (c Class) MarshalText() ([]byte, error) { return classes.Marshal(c) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (c *Class) UnmarshalText(b []byte) (err error) { *c, err = classes.Parse(string(b)); return err }
