package demo

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"sync"

	"github.com/go-telegram/bot/models"
	"github.com/minqing/minqing/bot/telegramtest"
)

// Where the sample location points: 嘉荫县 (Jiayin county), where the story
// behind Minqing took place.
const sampleLat, sampleLon = 48.8887, 130.3976

// mediaMessage builds the message a person sends with the 📷, 🎤 or 📍
// button. Photos and voice notes are stored in the emulator like uploads,
// so the bot can copy or download them.
func (h *server) mediaMessage(kind, caption string) (models.Message, error) {
	tg := h.sim.TG
	switch telegramtest.MediaKind(kind) {
	case telegramtest.MediaPhoto:
		data := samplePhoto()
		id := tg.PutFile(telegramtest.MediaPhoto, "photo.jpg", data)
		uid := "demo-" + id
		return models.Message{Caption: caption, Photo: []models.PhotoSize{
			{FileID: id + "-m", FileUniqueID: uid + "-m", Width: 320, Height: 240, FileSize: len(data) / 4},
			{FileID: id, FileUniqueID: uid, Width: photoW, Height: photoH, FileSize: len(data)},
		}}, nil
	case telegramtest.MediaVoice:
		data := []byte("OggS demo voice note")
		id := tg.PutFile(telegramtest.MediaVoice, "voice.oga", data)
		return models.Message{Caption: caption, Voice: &models.Voice{FileID: id, FileUniqueID: "demo-" + id,
			Duration: 7, MimeType: "audio/ogg", FileSize: int64(len(data))}}, nil
	case telegramtest.MediaLocation:
		if caption != "" {
			return models.Message{}, fmt.Errorf("caption: a location has none")
		}
		return models.Message{Location: &models.Location{Latitude: sampleLat, Longitude: sampleLon}}, nil
	}
	return models.Message{}, fmt.Errorf("kind: want photo, voice or location, not %q", kind)
}

const photoW, photoH = 640, 480

var (
	photoOnce sync.Once
	photoJPEG []byte
)

// samplePhoto is a drawn JPEG of a village house with a cracked wall, the
// kind of picture a household sends about 住房安全 (housing safety).
func samplePhoto() []byte {
	photoOnce.Do(func() {
		img := drawHouse()
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 82}); err == nil {
			photoJPEG = buf.Bytes()
		}
	})
	return photoJPEG
}

func drawHouse() *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, photoW, photoH))
	mix := func(a, b color.RGBA, t float64) color.RGBA {
		f := func(x, y uint8) uint8 { return uint8(float64(x) + (float64(y)-float64(x))*t) }
		return color.RGBA{f(a.R, b.R), f(a.G, b.G), f(a.B, b.B), 255}
	}
	rect := func(x0, y0, x1, y1 int, c color.RGBA) {
		for y := y0; y < y1; y++ {
			for x := x0; x < x1; x++ {
				img.SetRGBA(x, y, c)
			}
		}
	}
	// Sky and field.
	for y := range photoH {
		var c color.RGBA
		if y < 330 {
			c = mix(color.RGBA{120, 176, 230, 255}, color.RGBA{214, 232, 246, 255}, float64(y)/330)
		} else {
			c = mix(color.RGBA{142, 168, 92, 255}, color.RGBA{96, 122, 60, 255}, float64(y-330)/150)
		}
		for x := range photoW {
			img.SetRGBA(x, y, c)
		}
	}
	// Sun.
	for y := 30; y < 110; y++ {
		for x := 500; x < 580; x++ {
			if dx, dy := x-540, y-70; dx*dx+dy*dy < 34*34 {
				img.SetRGBA(x, y, color.RGBA{255, 221, 120, 255})
			}
		}
	}
	// Wall, roof, door and window.
	rect(150, 210, 490, 370, color.RGBA{222, 204, 170, 255})
	for y := 120; y < 215; y++ {
		half := (y - 120) * 200 / 95
		rect(320-half, y, 320+half, y+1, color.RGBA{150, 62, 48, 255})
	}
	rect(290, 280, 350, 370, color.RGBA{110, 78, 52, 255})
	rect(190, 250, 250, 300, color.RGBA{160, 200, 220, 255})
	rect(218, 250, 222, 300, color.RGBA{120, 96, 70, 255})
	rect(390, 250, 450, 300, color.RGBA{160, 200, 220, 255})
	rect(418, 250, 422, 300, color.RGBA{120, 96, 70, 255})
	// The crack: a zigzag down the right of the wall.
	x := 372
	for y := 214; y < 368; y++ {
		switch (y / 14) % 4 {
		case 0:
			x++
		case 2:
			x--
		}
		rect(x-1, y, x+2, y+1, color.RGBA{60, 44, 34, 255})
	}
	return img
}
